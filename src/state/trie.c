/*
 * Merkle-Patricia trie roots from a complete key/value set (Yellow Paper,
 * appendix D).
 *
 * Nothing is stored: the pairs are sorted once, then the trie is built
 * top-down by recursion over ranges of the sorted array. Every range
 * [lo, hi) at nibble depth d shares its first d nibbles, so a node is
 * decided by looking at that range only:
 *   - one pair                      -> leaf  [HP(rest of key, 1), value]
 *   - all pairs share more nibbles  -> extension [HP(shared, 0), branch]
 *   - otherwise                     -> branch [child 0..15, value]
 * Because the keys are sorted, the nibbles shared by the whole range are
 * the nibbles shared by its first and last key, and the children of a
 * branch are consecutive runs.
 *
 * All nodes are encoded into one growing buffer used as a stack: a call
 * appends the encoding of its node, then replaces it in place with the
 * node's reference (the node itself if its RLP is shorter than 32 bytes,
 * else 0xa0 || keccak(node)). A parent's payload is thus the concatenation
 * of what its children left behind, and no per-node memory is allocated.
 *
 * Hashing is nearly all the work, and a node's children are independent:
 * so a node that must be hashed is not hashed when it is finished but
 * left where it is, noted as pending. Its parent, before finishing
 * itself, hashes all its pending children in one keccak256_many batch
 * (up to 16 siblings, four at a time in vector lanes) and compacts the
 * buffer, each node replaced by its reference.
 */
#include "trie.h"

#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/keccak.h"
#include "../base/rlp.h"

/* Room left in front of each node for its RLP list header: 1 byte for a
 * payload < 56 bytes, else 1 + up to 8 length bytes. */
#define TRIE_HEADER_ROOM 9

/* A reference shorter than this is embedded in its parent (YP eq. 193). */
#define TRIE_EMBED_LIMIT 32

/* A subtree built on its own (trie_root_with): the range [lo, hi) at
 * nibble depth d, and the reference it left behind. */
struct trie_job {
    size_t lo, hi, d;
    uint8_t ref[33]; /* 0xa0 || hash, or an embedded node (< 32 bytes) */
    size_t ref_len;
    int err;
};

/* A finished node not hashed yet: buf[start ..) holds, after some unused
 * header room, its encoding buf[node .. node + len); its reference goes
 * to start once hashed (trie_flush). */
struct trie_pending {
    size_t start, node, len;
};

/* At most the children of one branch are hashed in one batch. */
#define TRIE_BATCH 16

struct trie_builder {
    const struct trie_kv *kvs;
    struct bytebuf buf;
    const struct trie_job *jobs; /* sorted by lo; NULL: none */
    size_t job_count;
    struct trie_pending *pending; /* in buffer order */
    size_t pending_count, pending_cap;
};

/* Nibble i of key (high nibble of each byte first). */
static inline unsigned trie_nibble(const uint8_t *key, size_t i)
{
    uint8_t b = key[i >> 1];
    return (i & 1) ? (b & 0x0f) : (b >> 4);
}

/* Sort order: by key bytewise, a key before its extensions (this is also
 * nibble order, which the builder relies on); empty values after all
 * non-empty ones so the pairs that are "absent" form a tail to ignore. */
static int trie_kv_compare(const void *pa, const void *pb)
{
    const struct trie_kv *a = pa, *b = pb;
    int a_empty = a->val_len == 0, b_empty = b->val_len == 0;
    if (a_empty != b_empty)
        return a_empty - b_empty;
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = n ? memcmp(a->key, b->key, n) : 0;
    if (c)
        return c;
    return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

static int trie_key_compare(const struct trie_kv *a, const struct trie_kv *b)
{
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = n ? memcmp(a->key, b->key, n) : 0;
    if (c)
        return c;
    return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

/* Whether key occurs in the sorted kvs[0..n). */
static bool trie_contains(const struct trie_kv *kvs, size_t n, const struct trie_kv *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = trie_key_compare(&kvs[mid], key);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Append an RLP string header for a string of len bytes whose first byte
 * is first (a lone byte < 0x80 is its own encoding and has no header). */
static int trie_put_string_header(struct bytebuf *b, size_t len, uint8_t first)
{
    uint8_t hdr[9];
    size_t n = 0;
    if (len == 1 && first < 0x80)
        return PAREVM_OK;
    if (len < 56) {
        hdr[n++] = (uint8_t)(0x80 + len);
    } else {
        size_t bytes = 0;
        for (size_t v = len; v; v >>= 8)
            bytes++;
        hdr[n++] = (uint8_t)(0xb7 + bytes);
        for (size_t i = bytes; i-- > 0;)
            hdr[n++] = (uint8_t)(len >> (8 * i));
    }
    return bytebuf_append(b, hdr, n);
}

/* Append the RLP string of the hex-prefix encoding (YP appendix C) of
 * key nibbles [from, to), with the leaf flag when leaf. */
static int trie_put_hex_prefix(struct bytebuf *b, const uint8_t *key, size_t from, size_t to, bool leaf)
{
    size_t count = to - from;
    size_t len = count / 2 + 1; /* flag nibble (+ first nibble if odd) */
    uint8_t flag = (uint8_t)((leaf ? 2 : 0) + (count & 1));
    uint8_t first = (uint8_t)(flag << 4);
    size_t i = from;
    if (count & 1)
        first |= (uint8_t)trie_nibble(key, i++);
    int err = trie_put_string_header(b, len, first);
    if (err)
        return err;
    if ((err = bytebuf_reserve(b, len)))
        return err;
    uint8_t *p = b->data + b->len;
    *p++ = first;
    if (!(i & 1)) {
        /* Byte-aligned remainder (always an even count): copy bytes. */
        memcpy(p, key + i / 2, (to - i) / 2);
    } else {
        for (; i < to; i += 2)
            *p++ = (uint8_t)(trie_nibble(key, i) << 4 | trie_nibble(key, i + 1));
    }
    b->len += len;
    return PAREVM_OK;
}

/* Number of nibbles shared by keys a and b from nibble d on. */
static size_t trie_shared_nibbles(const struct trie_kv *a, const struct trie_kv *b, size_t d)
{
    size_t alen = a->key_len * 2, blen = b->key_len * 2;
    size_t end = alen < blen ? alen : blen;
    size_t i = d;
    /* Compare a nibble at a time to the byte boundary, then bytewise. */
    if ((i & 1) && i < end) {
        if (trie_nibble(a->key, i) != trie_nibble(b->key, i))
            return 0;
        i++;
    }
    while (i + 2 <= end && a->key[i / 2] == b->key[i / 2])
        i += 2;
    if (i < end && trie_nibble(a->key, i) == trie_nibble(b->key, i))
        i++;
    return i - d;
}

/* Hash the pending nodes pending[base ..) (the children of the node
 * being finished: all of them lie after its start) in one batch, and
 * compact the buffer from the first of them on, each node replaced by
 * 0xa0 || hash. A reference (33 bytes) never outgrows the room its node
 * took (header room + payload >= 9 + 31), so the compaction only moves
 * bytes down. */
static int trie_flush(struct trie_builder *tb, size_t base)
{
    size_t n = tb->pending_count - base;
    if (!n)
        return PAREVM_OK;
    if (n > TRIE_BATCH)
        return PAREVM_ERR_INTERNAL; /* a node has at most 16 children */
    const struct trie_pending *p = tb->pending + base;
    struct bytebuf *b = &tb->buf;
    const uint8_t *data[TRIE_BATCH];
    size_t len[TRIE_BATCH];
    hash32 h[TRIE_BATCH];
    for (size_t k = 0; k < n; k++) {
        data[k] = b->data + p[k].node;
        len[k] = p[k].len;
    }
    keccak256_many(data, len, n, h);
    size_t to = p[0].start;
    for (size_t k = 0; k < n; k++) {
        size_t gap_from = k ? p[k - 1].node + p[k - 1].len : p[0].start;
        size_t gap = p[k].start - gap_from; /* bytes between two pending nodes */
        memmove(b->data + to, b->data + gap_from, gap);
        to += gap;
        b->data[to] = 0xa0;
        memcpy(b->data + to + 1, h[k].bytes, 32);
        to += 33;
    }
    size_t tail_from = p[n - 1].node + p[n - 1].len;
    memmove(b->data + to, b->data + tail_from, b->len - tail_from);
    b->len = to + (b->len - tail_from);
    tb->pending_count = base;
    return PAREVM_OK;
}

/* Turn the node encoded (as its payload) at buf[start + TRIE_HEADER_ROOM ..)
 * into a reference at buf[start ..): hash its pending children (those
 * noted from pending index base on), add the list header, then keep the
 * node if it is short enough to embed, else note it as pending for its
 * parent's batch. force_hash is for the root, which is always hashed, at
 * once. */
static int trie_finish_node(struct trie_builder *tb, size_t start, size_t base, bool force_hash, hash32 *root)
{
    struct bytebuf *b = &tb->buf;
    int err = trie_flush(tb, base);
    if (err)
        return err;
    size_t payload_at = start + TRIE_HEADER_ROOM;
    size_t payload_len = b->len - payload_at;
    uint8_t hdr[TRIE_HEADER_ROOM];
    size_t hl = 0;
    if (payload_len < 56) {
        hdr[hl++] = (uint8_t)(0xc0 + payload_len);
    } else {
        size_t bytes = 0;
        for (size_t v = payload_len; v; v >>= 8)
            bytes++;
        hdr[hl++] = (uint8_t)(0xf7 + bytes);
        for (size_t i = bytes; i-- > 0;)
            hdr[hl++] = (uint8_t)(payload_len >> (8 * i));
    }
    uint8_t *node = b->data + payload_at - hl;
    memcpy(node, hdr, hl);
    size_t node_len = hl + payload_len;
    if (force_hash) {
        keccak256(node, node_len, root->bytes);
        b->len = start;
        return PAREVM_OK;
    }
    if (node_len < TRIE_EMBED_LIMIT) {
        memmove(b->data + start, node, node_len);
        b->len = start + node_len;
        return PAREVM_OK;
    }
    if (tb->pending_count == tb->pending_cap) {
        size_t cap = tb->pending_cap ? tb->pending_cap * 2 : 64;
        struct trie_pending *grown = realloc(tb->pending, cap * sizeof *grown);
        if (!grown)
            return PAREVM_ERR_NOMEM;
        tb->pending = grown;
        tb->pending_cap = cap;
    }
    tb->pending[tb->pending_count++] = (struct trie_pending){start, payload_at - hl, node_len};
    return PAREVM_OK;
}

/* Append the reference of the node for kvs[lo, hi) at nibble depth d
 * (or, when root != NULL, hash the node into *root and append nothing). */
static int trie_build(struct trie_builder *tb, size_t lo, size_t hi, size_t d, hash32 *root)
{
    struct bytebuf *b = &tb->buf;
    const struct trie_kv *kvs = tb->kvs;
    if (tb->jobs && !root) {
        /* A subtree built beforehand: its reference. */
        size_t a = 0, z = tb->job_count;
        while (a < z) {
            size_t mid = a + (z - a) / 2;
            if (tb->jobs[mid].lo < lo)
                a = mid + 1;
            else
                z = mid;
        }
        if (a < tb->job_count && tb->jobs[a].lo == lo && tb->jobs[a].hi == hi && tb->jobs[a].d == d)
            return bytebuf_append(b, tb->jobs[a].ref, tb->jobs[a].ref_len);
    }
    size_t start = b->len, base = tb->pending_count;
    int err = bytebuf_reserve(b, TRIE_HEADER_ROOM);
    if (err)
        return err;
    b->len += TRIE_HEADER_ROOM;

    if (hi - lo == 1) {
        /* Leaf: the rest of the key, and the value. */
        const struct trie_kv *kv = &kvs[lo];
        if ((err = trie_put_hex_prefix(b, kv->key, d, kv->key_len * 2, true)))
            return err;
        if ((err = rlp_encode_bytes(b, kv->val, kv->val_len)))
            return err;
        return trie_finish_node(tb, start, base, root != NULL, root);
    }

    size_t shared = trie_shared_nibbles(&kvs[lo], &kvs[hi - 1], d);
    if (shared > 0) {
        /* Extension: the shared nibbles, then the branch below them. */
        if ((err = trie_put_hex_prefix(b, kvs[lo].key, d, d + shared, false)))
            return err;
        if ((err = trie_build(tb, lo, hi, d + shared, NULL)))
            return err;
        return trie_finish_node(tb, start, base, root != NULL, root);
    }

    /* Branch. A key ending exactly here sorts first and is the value. */
    const struct trie_kv *value = NULL;
    if (kvs[lo].key_len * 2 == d)
        value = &kvs[lo++];
    size_t i = lo;
    for (unsigned nib = 0; nib < 16; nib++) {
        size_t j = i;
        while (j < hi && trie_nibble(kvs[j].key, d) == nib)
            j++;
        if (j == i) {
            if ((err = bytebuf_push(b, 0x80)))
                return err;
            continue;
        }
        if ((err = trie_build(tb, i, j, d + 1, NULL)))
            return err;
        i = j;
    }
    if (value)
        err = rlp_encode_bytes(b, value->val, value->val_len);
    else
        err = bytebuf_push(b, 0x80);
    if (err)
        return err;
    return trie_finish_node(tb, start, base, root != NULL, root);
}

/* Split [lo, hi) at depth d the way trie_build will recurse, down to
 * ranges of at most `target` pairs: those become jobs. */
struct trie_plan {
    const struct trie_kv *kvs;
    size_t target;
    struct trie_job *jobs;
    size_t count, cap;
};

static int trie_plan_range(struct trie_plan *p, size_t lo, size_t hi, size_t d)
{
    const struct trie_kv *kvs = p->kvs;
    if (hi - lo > p->target && hi - lo > 1) {
        size_t shared = trie_shared_nibbles(&kvs[lo], &kvs[hi - 1], d);
        if (shared > 0)
            return trie_plan_range(p, lo, hi, d + shared);
        if (kvs[lo].key_len * 2 == d)
            lo++; /* the branch's value */
        int err = PAREVM_OK;
        for (size_t i = lo; i < hi && !err;) {
            unsigned nib = trie_nibble(kvs[i].key, d);
            size_t j = i;
            while (j < hi && trie_nibble(kvs[j].key, d) == nib)
                j++;
            err = trie_plan_range(p, i, j, d + 1);
            i = j;
        }
        return err;
    }
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct trie_job *jobs = realloc(p->jobs, cap * sizeof *jobs);
        if (!jobs)
            return PAREVM_ERR_NOMEM;
        p->jobs = jobs;
        p->cap = cap;
    }
    p->jobs[p->count++] = (struct trie_job){.lo = lo, .hi = hi, .d = d};
    return PAREVM_OK;
}

/* Values produced on demand (trie_root_ordered_encoded): fill(arg, kvs,
 * lo, hi, b) encodes the values of kvs[lo, hi) into b and points them
 * there. Each subtree job fills its own range, so encoding runs in the
 * same concurrent batch as hashing. */
struct trie_fill {
    int (*fill)(void *arg, struct trie_kv *kvs, size_t lo, size_t hi, struct bytebuf *b);
    void *arg;
};

struct trie_job_ctx {
    struct trie_kv *kvs;
    struct trie_job *jobs;
    const struct trie_fill *fill; /* NULL: values are there */
};

static void trie_run_job(void *arg, size_t i)
{
    struct trie_job_ctx *ctx = arg;
    struct trie_job *job = &ctx->jobs[i];
    struct trie_builder tb = {.kvs = ctx->kvs};
    struct bytebuf values = {0};
    job->err = bytebuf_reserve(&tb.buf, 1024);
    if (!job->err && ctx->fill)
        job->err = ctx->fill->fill(ctx->fill->arg, ctx->kvs, job->lo, job->hi, &values);
    if (!job->err)
        job->err = trie_build(&tb, job->lo, job->hi, job->d, NULL);
    if (!job->err) /* the subtree's own node, if it is to be hashed */
        job->err = trie_flush(&tb, 0);
    bytebuf_free(&values);
    if (!job->err && tb.buf.len > sizeof job->ref)
        job->err = PAREVM_ERR_INTERNAL; /* a reference is at most 33 bytes */
    if (!job->err) {
        memcpy(job->ref, tb.buf.data, tb.buf.len);
        job->ref_len = tb.buf.len;
    }
    bytebuf_free(&tb.buf);
    free(tb.pending);
}

/* The root of kvs[0, n): sorted, unique, every value present (or, with
 * fill, produced by it). With a runner: the subtrees of a few dozen pairs
 * each are built concurrently (hashing is nearly all the work), then the
 * top of the trie on their references. */
static int trie_root_sorted(struct trie_kv *kvs, size_t n, const struct trie_runner *runner,
                            const struct trie_fill *fill, hash32 *out)
{
    struct trie_builder tb = {.kvs = kvs};
    int err = PAREVM_OK;
    struct trie_plan plan = {.kvs = kvs};
    if (runner && runner->width > 1 && n >= 64) {
        plan.target = n / (size_t)(8 * runner->width) + 1;
        err = trie_plan_range(&plan, 0, n, 0);
        if (!err && plan.count > 1) {
            struct trie_job_ctx ctx = {kvs, plan.jobs, fill};
            runner->run(runner->runner_arg, plan.count, trie_run_job, &ctx);
            for (size_t i = 0; i < plan.count && !err; i++)
                err = plan.jobs[i].err;
            tb.jobs = plan.jobs;
            tb.job_count = plan.count;
        }
    }
    if (!err && fill) {
        /* The ranges between jobs (branch values), or everything. Each
         * range's values go in a buffer of its own: filling may move it. */
        size_t at = 0;
        struct bytebuf *bufs = calloc(tb.job_count + 1, sizeof *bufs);
        if (!bufs)
            err = PAREVM_ERR_NOMEM;
        for (size_t j = 0; j <= tb.job_count && !err; j++) {
            size_t end = j < tb.job_count ? tb.jobs[j].lo : n;
            if (end > at)
                err = fill->fill(fill->arg, kvs, at, end, &bufs[j]);
            if (j < tb.job_count)
                at = tb.jobs[j].hi;
        }
        /* A guess that avoids most regrowth: a few nodes' worth of stack. */
        if (!err)
            err = bytebuf_reserve(&tb.buf, 4096);
        if (!err)
            err = trie_build(&tb, 0, n, 0, out);
        for (size_t j = 0; bufs && j <= tb.job_count; j++)
            bytebuf_free(&bufs[j]);
        free(bufs);
    } else {
        if (!err)
            err = bytebuf_reserve(&tb.buf, 4096);
        if (!err)
            err = trie_build(&tb, 0, n, 0, out);
    }
    bytebuf_free(&tb.buf);
    free(tb.pending);
    free(plan.jobs);
    return err;
}

int trie_root_with(struct trie_kv *kvs, size_t n, const struct trie_runner *runner, hash32 *out)
{
    if (!out || (n && !kvs))
        return PAREVM_ERR_ARG;
    /* Callers often pass the pairs in order already (ordered lists): one
     * pass to check costs less than the sort. */
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = trie_kv_compare(&kvs[i - 1], &kvs[i]) <= 0;
    if (!sorted)
        qsort(kvs, n, sizeof(*kvs), trie_kv_compare);

    /* Empty values are absent; they sort to the tail. */
    size_t live = n;
    while (live > 0 && kvs[live - 1].val_len == 0)
        live--;
    for (size_t i = 1; i < n; i++)
        if (i != live && trie_key_compare(&kvs[i - 1], &kvs[i]) == 0)
            return PAREVM_ERR_ARG;
    for (size_t i = live; i < n; i++)
        if (trie_contains(kvs, live, &kvs[i]))
            return PAREVM_ERR_ARG;

    if (live == 0) {
        *out = EMPTY_TRIE_ROOT;
        return PAREVM_OK;
    }
    return trie_root_sorted(kvs, live, runner, NULL, out);
}

int trie_root(struct trie_kv *kvs, size_t n, hash32 *out) { return trie_root_with(kvs, n, NULL, out); }

int trie_root_ordered(const uint8_t *const *items, const size_t *lens, size_t n, hash32 *out)
{
    return trie_root_ordered_with(items, lens, n, NULL, out);
}

/* The keys rlp(0) .. rlp(n-1) in key order, as pairs without values:
 * (*kvs)[pos] has key rlp((*index)[pos]), in *keys. */
static int ordered_keys(size_t n, struct trie_kv **kvs_out, uint8_t **keys_out, size_t **index_out)
{
    /* Key i is rlp(i): at most 1 header byte + 8 integer bytes. */
    enum { KEY_MAX = 9 };
    struct trie_kv *kvs = malloc(n * sizeof(*kvs));
    uint8_t *keys = malloc(n * KEY_MAX);
    size_t *index = malloc(n * sizeof *index);
    if (!kvs || !keys || !index) {
        free(kvs);
        free(keys);
        free(index);
        return PAREVM_ERR_NOMEM;
    }
    /* The pairs go in key order, so trie_root_with need not sort them:
     * rlp(1) .. rlp(127) are the bytes 0x01 .. 0x7f, rlp(0) is 0x80, and
     * from 128 on a length byte 0x81, 0x82, ... precedes the big-endian
     * integer, so those keys sort as their numbers do. */
    for (size_t pos = 0; pos < n; pos++) {
        size_t single = n < 0x80 ? n : 0x80; /* keys 0 .. single-1 are one byte */
        size_t i = pos + 1 < single ? pos + 1 : pos + 1 == single ? 0 : pos;
        uint8_t *k = keys + i * KEY_MAX;
        size_t klen;
        uint64_t v = i;
        if (v == 0) {
            k[0] = 0x80;
            klen = 1;
        } else if (v < 0x80) {
            k[0] = (uint8_t)v;
            klen = 1;
        } else {
            size_t bytes = 0;
            for (uint64_t t = v; t; t >>= 8)
                bytes++;
            k[0] = (uint8_t)(0x80 + bytes);
            for (size_t j = 0; j < bytes; j++)
                k[1 + j] = (uint8_t)(v >> (8 * (bytes - 1 - j)));
            klen = 1 + bytes;
        }
        kvs[pos] = (struct trie_kv){.key = k, .key_len = klen};
        index[pos] = i;
    }
    *kvs_out = kvs;
    *keys_out = keys;
    *index_out = index;
    return PAREVM_OK;
}

struct ordered_fill {
    int (*enc)(void *arg, size_t i, struct bytebuf *b);
    void *arg;
    const size_t *index;
};

static int ordered_fill(void *arg, struct trie_kv *kvs, size_t lo, size_t hi, struct bytebuf *b)
{
    const struct ordered_fill *f = arg;
    /* Offsets first (the buffer moves as it grows), then pointers. */
    for (size_t pos = lo; pos < hi; pos++) {
        size_t start = b->len;
        int err = f->enc(f->arg, f->index[pos], b);
        if (err)
            return err;
        if (b->len == start)
            return PAREVM_ERR_ARG; /* an empty item would be absent */
        kvs[pos].val_len = start;
    }
    for (size_t pos = lo; pos < hi; pos++) {
        size_t end = pos + 1 < hi ? kvs[pos + 1].val_len : b->len;
        kvs[pos].val = b->data + kvs[pos].val_len;
        kvs[pos].val_len = end - kvs[pos].val_len;
    }
    return PAREVM_OK;
}

int trie_root_ordered_encoded(size_t n, int (*enc)(void *arg, size_t i, struct bytebuf *b), void *arg,
                              const struct trie_runner *runner, hash32 *out)
{
    if (!out || (n && !enc))
        return PAREVM_ERR_ARG;
    if (n == 0) {
        *out = EMPTY_TRIE_ROOT;
        return PAREVM_OK;
    }
    struct trie_kv *kvs;
    uint8_t *keys;
    size_t *index;
    int err = ordered_keys(n, &kvs, &keys, &index);
    if (err)
        return err;
    struct ordered_fill of = {enc, arg, index};
    struct trie_fill fill = {ordered_fill, &of};
    err = trie_root_sorted(kvs, n, runner, &fill, out);
    free(kvs);
    free(keys);
    free(index);
    return err;
}

/* trie_root_ordered_with's items, appended as they are. */
struct ordered_arrays {
    const uint8_t *const *items;
    const size_t *lens;
};

static int append_array_item(void *arg, size_t i, struct bytebuf *b)
{
    const struct ordered_arrays *a = arg;
    return bytebuf_append(b, a->items[i], a->lens[i]);
}

int trie_root_ordered_with(const uint8_t *const *items, const size_t *lens, size_t n,
                           const struct trie_runner *runner, hash32 *out)
{
    if (!out || (n && (!items || !lens)))
        return PAREVM_ERR_ARG;
    struct ordered_arrays a = {items, lens};
    return trie_root_ordered_encoded(n, append_array_item, &a, runner, out);
}
