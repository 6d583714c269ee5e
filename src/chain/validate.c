/* validate — block consensus rules besides transaction execution (see validate.h). */
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../base/hex.h"

/* keccak256(0xc0) */
const hash32 EMPTY_OMMERS_HASH = {{0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5,
                                   0x67, 0xb6, 0xcc, 0xd4, 0x1a, 0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a,
                                   0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47}};

const char *block_error_name(enum block_error e)
{
    static const char *const names[BLOCKERR__COUNT] = {
        [BLOCKERR_NONE] = "NONE",
        [BLOCKERR_RLP] = "RLP_ENCODING",
        [BLOCKERR_UNKNOWN_PARENT] = "UNKNOWN_PARENT",
        [BLOCKERR_NUMBER] = "INVALID_BLOCK_NUMBER",
        [BLOCKERR_TIMESTAMP] = "INVALID_TIMESTAMP",
        [BLOCKERR_GAS_LIMIT] = "INVALID_GAS_LIMIT",
        [BLOCKERR_GAS_USED_ABOVE_LIMIT] = "GAS_USED_ABOVE_LIMIT",
        [BLOCKERR_EXTRA_DATA] = "EXTRA_DATA_TOO_BIG",
        [BLOCKERR_HEADER_FIELDS] = "INVALID_HEADER_FIELDS",
        [BLOCKERR_BASE_FEE] = "INVALID_BASE_FEE",
        [BLOCKERR_DIFFICULTY] = "INVALID_DIFFICULTY",
        [BLOCKERR_NONCE] = "INVALID_NONCE",
        [BLOCKERR_OMMERS_HASH] = "INVALID_OMMERS_HASH",
        [BLOCKERR_UNCLES] = "INVALID_UNCLES",
        [BLOCKERR_UNCLE_INVALID] = "INVALID_UNCLE",
        [BLOCKERR_EXCESS_BLOB_GAS] = "INVALID_EXCESS_BLOB_GAS",
        [BLOCKERR_BLOB_GAS_USED] = "INVALID_BLOB_GAS_USED",
        [BLOCKERR_WITHDRAWALS] = "INVALID_WITHDRAWALS",
        [BLOCKERR_TX_ROOT] = "INVALID_TRANSACTIONS_ROOT",
        [BLOCKERR_WITHDRAWALS_ROOT] = "INVALID_WITHDRAWALS_ROOT",
        [BLOCKERR_TX_SIGNATURE] = "INVALID_SIGNATURE",
        [BLOCKERR_TX_INVALID] = "INVALID_TRANSACTION",
        [BLOCKERR_GAS_USED] = "INVALID_GAS_USED",
        [BLOCKERR_RECEIPTS_ROOT] = "INVALID_RECEIPTS_ROOT",
        [BLOCKERR_LOGS_BLOOM] = "INVALID_LOGS_BLOOM",
        [BLOCKERR_STATE_ROOT] = "INVALID_STATE_ROOT",
        [BLOCKERR_UNSUPPORTED] = "UNSUPPORTED_FORK",
        [BLOCKERR_REQUESTS_HASH] = "INVALID_REQUESTS",
        [BLOCKERR_DEPOSIT_LAYOUT] = "INVALID_DEPOSIT_EVENT_LAYOUT",
        [BLOCKERR_SYSTEM_CONTRACT_EMPTY] = "SYSTEM_CONTRACT_EMPTY",
        [BLOCKERR_SYSTEM_CONTRACT_FAILED] = "SYSTEM_CONTRACT_CALL_FAILED",
        [BLOCKERR_BLOCK_SIZE] = "RLP_BLOCK_LIMIT_EXCEEDED",
        [BLOCKERR_BAL_HASH] = "INVALID_BLOCK_ACCESS_LIST",
    };
    if ((unsigned)e >= BLOCKERR__COUNT || !names[e])
        return "UNKNOWN";
    return names[e];
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static enum block_error fail(enum block_error e, char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return e;
}

static void short_hex(const uint8_t *b, size_t n, char *out /* 2n + 3 */) { hex_encode(b, n, out); }

static bool bytes_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/* ---- formulas ---- */

/* floor(a * b / c) for c > 0, saturating at 2^256 - 1. */
static u256 mul_div_u64(const u256 *a, uint64_t b, uint64_t c)
{
    u256 cc = u256_from_u64(c), q, r;
    u256_divmod(a, &cc, &q, &r);
    /* a*b/c = q*b + (r*b)/c, with r < c so r*b < 2^128. */
    u256 bb = u256_from_u64(b);
    if (!u256_is_zero(&q) && u256_bit_len(&q) + 64 > 256) {
        u256 check = u256_mul(&q, &bb);
        u256 back = u256_div(&check, &bb);
        if (!u256_eq(&back, &q))
            return u256_max();
    }
    u256 hi = u256_mul(&q, &bb);
    unsigned __int128 rb = (unsigned __int128)r.w[0] * b;
    u256 lo = {{(uint64_t)(rb / c), 0, 0, 0}};
    if ((rb / c) >> 64)
        lo.w[1] = (uint64_t)((rb / c) >> 64);
    bool carry;
    u256 sum = u256_add_carry(&hi, &lo, &carry);
    return carry ? u256_max() : sum;
}

u256 validate_next_base_fee(const struct block_header *parent)
{
    /* EIP-1559: move the base fee by at most 1/8 towards the gas target
     * (half the gas limit); an increase is at least 1 wei. */
    uint64_t target = parent->gas_limit / BASE_FEE_ELASTICITY_MULTIPLIER;
    const u256 *fee = &parent->base_fee;
    if (target == 0 || parent->gas_used == target)
        return *fee;
    if (parent->gas_used > target) {
        u256 delta = mul_div_u64(fee, parent->gas_used - target, target);
        delta = u256_div(&delta, &(u256){{BASE_FEE_MAX_CHANGE_DENOMINATOR, 0, 0, 0}});
        if (u256_is_zero(&delta))
            delta = u256_from_u64(1);
        bool carry;
        u256 next = u256_add_carry(fee, &delta, &carry);
        return carry ? u256_max() : next;
    }
    u256 delta = mul_div_u64(fee, target - parent->gas_used, target);
    delta = u256_div(&delta, &(u256){{BASE_FEE_MAX_CHANGE_DENOMINATOR, 0, 0, 0}});
    /* delta <= fee / 8: no underflow. */
    return u256_sub(fee, &delta);
}

uint64_t validate_next_excess_blob_gas(const struct block_header *parent, enum fork parent_fork, enum fork f)
{
    /* EIP-4844: the excess carries over what the parent used above the
     * target; the target (and for EIP-7918 the maximum and the update
     * fraction) are the schedule of the block's own fork (EIP-7840: at a
     * fork block the new schedule already applies). */
    if (parent_fork < FORK_CANCUN || !parent->has_blob_gas)
        return 0;
    const struct fork_blob_params *p = fork_blob_params(f);
    uint64_t target = (uint64_t)p->target * BLOB_GAS_PER_BLOB;
    unsigned __int128 sum = (unsigned __int128)parent->excess_blob_gas + parent->blob_gas_used;
    if (sum < target)
        return 0;
    if (f >= FORK_OSAKA && validate_blob_reserve_binds(parent, f)) {
        /* EIP-7918: while execution gas prices blobs above the blob base
         * fee, the excess only grows, by used * (max - target) / max. */
        unsigned __int128 grow = (unsigned __int128)parent->blob_gas_used * (p->max - p->target) / p->max;
        sum = (unsigned __int128)parent->excess_blob_gas + grow;
    } else {
        sum -= target;
    }
    return sum > UINT64_MAX ? UINT64_MAX : (uint64_t)sum;
}

bool validate_blob_reserve_binds(const struct block_header *parent, enum fork f)
{
    /* EIP-7918: BLOB_BASE_COST * base_fee > GAS_PER_BLOB * blob_base_fee,
     * the blob base fee taken from the parent's excess with fork f's
     * update fraction. GAS_PER_BLOB / BLOB_BASE_COST = 2^17 / 2^13 = 16
     * exactly, so the test is base_fee > 16 * blob_base_fee, which needs
     * no product wider than 256 bits (16 * fee overflowing means the
     * right side exceeds any base fee). */
    u256 blob_fee = block_env_blob_base_fee(f, parent->excess_blob_gas);
    unsigned shift = 0;
    for (unsigned ratio = BLOB_GAS_PER_BLOB / BLOB_BASE_COST; ratio > 1; ratio >>= 1)
        shift++;
    if (u256_bit_len(&blob_fee) + shift > 256)
        return false;
    u256 right = u256_shl(&blob_fee, shift);
    u256 left = parent->has_base_fee ? parent->base_fee : u256_zero();
    return u256_lt(&right, &left);
}

uint64_t validate_bomb_delay(const struct chain_config *cfg, enum fork f, uint64_t number)
{
    if (f < FORK_BYZANTIUM)
        return 0;
    uint64_t delay;
    if (f >= FORK_LONDON)
        delay = 9700000; /* EIP-3554 */
    else if (f >= FORK_BERLIN)
        delay = 9000000; /* EIP-2384 (Muir Glacier precedes Berlin) */
    else if (f >= FORK_CONSTANTINOPLE)
        delay = 5000000; /* EIP-1234 */
    else
        delay = 3000000; /* EIP-649 */
    /* The bomb-only forks (EIP-2384, EIP-4345, EIP-5133) active at this
     * block; each pushed the bomb further than every fork before it. */
    for (size_t i = 0; cfg && i < cfg->bomb_delay_count; i++)
        if (number >= cfg->bomb_delays[i].block && cfg->bomb_delays[i].delay > delay)
            delay = cfg->bomb_delays[i].delay;
    return delay;
}

u256 validate_pow_difficulty(enum fork f, const struct block_header *parent, uint64_t number, uint64_t timestamp,
                             uint64_t bomb_delay)
{
    uint64_t elapsed = timestamp > parent->timestamp ? timestamp - parent->timestamp : 0;
    u256 step = u256_div(&parent->difficulty, &(u256){{2048, 0, 0, 0}});
    /* The adjustment factor in units of parent/2048, clamped at -99. */
    int64_t factor;
    if (f >= FORK_BYZANTIUM) {
        /* EIP-100: a parent with uncles pulls the difficulty up more. */
        int64_t base = hash32_eq(&parent->ommers_hash, &EMPTY_OMMERS_HASH) ? 1 : 2;
        factor = elapsed / 9 > 200 ? -99 : base - (int64_t)(elapsed / 9);
    } else if (f >= FORK_HOMESTEAD) {
        /* EIP-2 */
        factor = elapsed / 10 > 200 ? -99 : 1 - (int64_t)(elapsed / 10);
    } else {
        factor = elapsed < 13 ? 1 : -1;
    }
    if (factor < -99)
        factor = -99;
    u256 diff = parent->difficulty;
    u256 adj = u256_mul(&step, &(u256){{(uint64_t)(factor < 0 ? -factor : factor), 0, 0, 0}});
    if (factor >= 0) {
        bool carry;
        diff = u256_add_carry(&diff, &adj, &carry);
        if (carry)
            diff = u256_max();
    } else {
        diff = u256_sub(&diff, &adj); /* adj <= 99/2048 of diff */
    }
    u256 min = u256_from_u64(MINIMUM_DIFFICULTY);
    if (u256_lt(&diff, &min))
        diff = min;
    /* The difficulty bomb: 2^(period - 2) from period 2, the period
     * counted from a block number pushed back by bomb_delay. */
    uint64_t fake = number > bomb_delay ? number - bomb_delay : 0;
    uint64_t period = fake / 100000;
    if (period >= 2) {
        if (period - 2 >= 256)
            return u256_max();
        u256 one = u256_from_u64(1);
        u256 bomb = u256_shl(&one, (unsigned)(period - 2));
        bool carry;
        diff = u256_add_carry(&diff, &bomb, &carry);
        if (carry)
            diff = u256_max();
    }
    return diff;
}

/* ---- header ---- */

static enum block_error check_gas_limit(uint64_t gas_limit, unsigned __int128 parent_limit, char *why,
                                        size_t why_len)
{
    unsigned __int128 delta = parent_limit / GAS_LIMIT_ADJUSTMENT_FACTOR;
    if ((unsigned __int128)gas_limit >= parent_limit + delta || (unsigned __int128)gas_limit + delta <= parent_limit)
        return fail(BLOCKERR_GAS_LIMIT, why, why_len,
                    "gas limit %llu outside the bounds (parent %llu +- %llu, exclusive)",
                    (unsigned long long)gas_limit, (unsigned long long)parent_limit, (unsigned long long)delta);
    if (gas_limit < GAS_LIMIT_MINIMUM)
        return fail(BLOCKERR_GAS_LIMIT, why, why_len, "gas limit %llu below the minimum %d",
                    (unsigned long long)gas_limit, GAS_LIMIT_MINIMUM);
    if (gas_limit > GAS_LIMIT_MAXIMUM)
        return fail(BLOCKERR_GAS_LIMIT, why, why_len, "gas limit %llu above the maximum 2^63 - 1",
                    (unsigned long long)gas_limit);
    return BLOCKERR_NONE;
}

/* Which optional header fields fork f has. */
static enum block_error check_fields(const struct block_header *h, enum fork f, char *why, size_t why_len)
{
    if (!fork_implemented(f))
        return fail(BLOCKERR_UNSUPPORTED, why, why_len, "header rules of %s are not implemented", fork_name(f));
    struct {
        bool has, want;
        const char *name;
    } fields[] = {
        {h->has_base_fee, f >= FORK_LONDON, "baseFeePerGas"},
        {h->has_withdrawals_root, f >= FORK_SHANGHAI, "withdrawalsRoot"},
        {h->has_blob_gas, f >= FORK_CANCUN, "blobGasUsed/excessBlobGas"},
        {h->has_parent_beacon_root, f >= FORK_CANCUN, "parentBeaconBlockRoot"},
        {h->has_requests_hash, f >= FORK_PRAGUE, "requestsHash"}, /* EIP-7685 */
        {h->has_bal_hash, fork_eip(f, EIP_7928), "blockAccessListHash"},
        {h->has_slot_number, fork_eip(f, EIP_7843), "slotNumber"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].has != fields[i].want)
            return fail(BLOCKERR_HEADER_FIELDS, why, why_len, "%s %s in a %s header", fields[i].name,
                        fields[i].has ? "present" : "missing", fork_name(f));
    return BLOCKERR_NONE;
}

enum block_error validate_header(const struct chain_config *cfg, const struct block_header *parent,
                                 const struct block_header *h, char *why, size_t why_len)
{
    enum fork f = chain_config_header_fork(cfg, h);
    enum fork pf = chain_config_header_fork(cfg, parent);
    enum block_error e;
    char a[67], b[67];
    if ((e = check_fields(h, f, why, why_len)))
        return e;
    if (parent->has_hash && !hash32_eq(&h->parent_hash, &parent->hash)) {
        short_hex(h->parent_hash.bytes, 32, a);
        short_hex(parent->hash.bytes, 32, b);
        return fail(BLOCKERR_UNKNOWN_PARENT, why, why_len, "parent hash %s is not the parent's %s", a, b);
    }
    if (parent->number == UINT64_MAX || h->number != parent->number + 1)
        return fail(BLOCKERR_NUMBER, why, why_len, "block number %llu after parent %llu",
                    (unsigned long long)h->number, (unsigned long long)parent->number);
    if (h->timestamp <= parent->timestamp)
        return fail(BLOCKERR_TIMESTAMP, why, why_len, "timestamp %llu not after the parent's %llu",
                    (unsigned long long)h->timestamp, (unsigned long long)parent->timestamp);
    if (h->extra_data_len > MAX_EXTRA_DATA_BYTES)
        return fail(BLOCKERR_EXTRA_DATA, why, why_len, "extra data of %zu bytes (at most %d)", h->extra_data_len,
                    MAX_EXTRA_DATA_BYTES);
    /* EIP-1559: at the London block the parent's limit counts double, so
     * the gas target stays where the limit was. */
    unsigned __int128 parent_limit = parent->gas_limit;
    if (f >= FORK_LONDON && pf < FORK_LONDON)
        parent_limit *= BASE_FEE_ELASTICITY_MULTIPLIER;
    if ((e = check_gas_limit(h->gas_limit, parent_limit, why, why_len)))
        return e;
    if (h->gas_used > h->gas_limit)
        return fail(BLOCKERR_GAS_USED_ABOVE_LIMIT, why, why_len, "gas used %llu above the gas limit %llu",
                    (unsigned long long)h->gas_used, (unsigned long long)h->gas_limit);
    if (f >= FORK_LONDON) {
        u256 want = pf >= FORK_LONDON && parent->has_base_fee ? validate_next_base_fee(parent)
                                                              : u256_from_u64(INITIAL_BASE_FEE);
        if (!u256_eq(&want, &h->base_fee)) {
            u256_to_hex(&want, a);
            u256_to_hex(&h->base_fee, b);
            return fail(BLOCKERR_BASE_FEE, why, why_len, "base fee %s, expected %s", b, a);
        }
    }
    if (f >= FORK_PARIS) {
        /* EIP-3675: proof-of-stake headers carry no PoW artefacts. */
        if (!u256_is_zero(&h->difficulty)) {
            u256_to_hex(&h->difficulty, a);
            return fail(BLOCKERR_DIFFICULTY, why, why_len, "difficulty %s after the Merge (must be 0)", a);
        }
        if (!bytes_zero(h->nonce, 8)) {
            short_hex(h->nonce, 8, a);
            return fail(BLOCKERR_NONCE, why, why_len, "nonce %s after the Merge (must be 0)", a);
        }
        if (!hash32_eq(&h->ommers_hash, &EMPTY_OMMERS_HASH)) {
            short_hex(h->ommers_hash.bytes, 32, a);
            return fail(BLOCKERR_OMMERS_HASH, why, why_len, "ommers hash %s after the Merge (must be empty)", a);
        }
    } else {
        u256 want = validate_pow_difficulty(f, parent, h->number, h->timestamp,
                                            validate_bomb_delay(cfg, f, h->number));
        if (!u256_eq(&want, &h->difficulty)) {
            u256_to_hex(&want, a);
            u256_to_hex(&h->difficulty, b);
            return fail(BLOCKERR_DIFFICULTY, why, why_len, "difficulty %s, expected %s", b, a);
        }
    }
    if (f >= FORK_CANCUN) {
        uint64_t want = validate_next_excess_blob_gas(parent, pf, f);
        if (h->excess_blob_gas != want)
            return fail(BLOCKERR_EXCESS_BLOB_GAS, why, why_len, "excess blob gas %llu, expected %llu",
                        (unsigned long long)h->excess_blob_gas, (unsigned long long)want);
    }
    return BLOCKERR_NONE;
}

/* ---- body ---- */

enum block_error validate_body(const struct chain_config *cfg, const struct block *b, const struct block_digest *d,
                               char *why, size_t why_len)
{
    const struct block_header *h = &b->header;
    enum fork f = chain_config_header_fork(cfg, h);
    char a[67], c[67];
    if (f >= FORK_PARIS && b->uncle_count > 0)
        return fail(BLOCKERR_UNCLES, why, why_len, "%zu uncles after the Merge (EIP-3675)", b->uncle_count);
    if (!hash32_eq(&d->ommers_hash, &h->ommers_hash)) {
        short_hex(h->ommers_hash.bytes, 32, a);
        short_hex(d->ommers_hash.bytes, 32, c);
        return fail(BLOCKERR_OMMERS_HASH, why, why_len, "ommers hash %s, the uncles give %s", a, c);
    }
    /* EIP-4895: the withdrawals list exists exactly from Shanghai. */
    if (b->has_withdrawals != (f >= FORK_SHANGHAI))
        return fail(BLOCKERR_WITHDRAWALS, why, why_len, "withdrawals list %s in a %s block",
                    b->has_withdrawals ? "present" : "missing", fork_name(f));
    return BLOCKERR_NONE;
}

/* ---- uncles ---- */

static bool hash_in(const hash32 *h, const hash32 *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (hash32_eq(h, &set[i]))
            return true;
    return false;
}

enum block_error validate_uncles(const struct chain_config *cfg, const struct block *b,
                                 const struct validate_ancestry *anc, char *why, size_t why_len)
{
    const struct block_header *h = &b->header;
    if (b->uncle_count == 0)
        return BLOCKERR_NONE;
    if (chain_config_header_fork(cfg, h) >= FORK_PARIS)
        return fail(BLOCKERR_UNCLES, why, why_len, "%zu uncles after the Merge (EIP-3675)", b->uncle_count);
    if (b->uncle_count > MAX_UNCLES)
        return fail(BLOCKERR_UNCLES, why, why_len, "%zu uncles (at most %d)", b->uncle_count, MAX_UNCLES);
    for (size_t i = 0; i < b->uncle_count; i++) {
        const struct block_header *u = &b->uncles[i];
        for (size_t j = 0; j < i; j++)
            if (hash32_eq(&u->hash, &b->uncles[j].hash))
                return fail(BLOCKERR_UNCLES, why, why_len, "uncle %zu repeats uncle %zu", i, j);
        if (h->has_hash && hash32_eq(&u->hash, &h->hash))
            return fail(BLOCKERR_UNCLE_INVALID, why, why_len, "uncle %zu is the block itself", i);
        if (u->number >= h->number || h->number - u->number > MAX_UNCLE_DEPTH)
            return fail(BLOCKERR_UNCLE_INVALID, why, why_len, "uncle %zu at number %llu is not 1..%d below %llu", i,
                        (unsigned long long)u->number, MAX_UNCLE_DEPTH, (unsigned long long)h->number);
        const struct block_header *uncle_parent = NULL;
        for (size_t k = 0; k < anc->ancestor_count; k++) {
            const struct block_header *p = anc->ancestors[k];
            if (hash32_eq(&u->hash, &p->hash))
                return fail(BLOCKERR_UNCLE_INVALID, why, why_len, "uncle %zu is an ancestor of the block", i);
            if (hash32_eq(&u->parent_hash, &p->hash))
                uncle_parent = p;
        }
        if (hash_in(&u->hash, anc->included_uncles, anc->included_uncle_count))
            return fail(BLOCKERR_UNCLE_INVALID, why, why_len, "uncle %zu was already included by an ancestor", i);
        if (!uncle_parent)
            return fail(BLOCKERR_UNCLE_INVALID, why, why_len, "uncle %zu's parent is not a recent ancestor", i);
        if (hash32_eq(&u->parent_hash, &h->parent_hash))
            return fail(BLOCKERR_UNCLE_INVALID, why, why_len, "uncle %zu is a sibling of the block", i);
        char inner[200];
        if (validate_header(cfg, uncle_parent, u, inner, sizeof inner))
            return fail(BLOCKERR_UNCLE_INVALID, why, why_len, "uncle %zu: %s", i, inner);
    }
    return BLOCKERR_NONE;
}

/* ---- execution outcome ---- */

enum block_error validate_outcome(const struct chain_config *cfg, const struct block *b,
                                  const struct block_digest *d, const struct block_outcome *o, char *why,
                                  size_t why_len)
{
    const struct block_header *h = &b->header;
    enum fork f = chain_config_header_fork(cfg, h);
    char x[67], y[67];
    if (o->gas_used != h->gas_used)
        return fail(BLOCKERR_GAS_USED, why, why_len, "gas used %llu, execution used %llu",
                    (unsigned long long)h->gas_used, (unsigned long long)o->gas_used);
    if (!hash32_eq(&d->tx_root, &h->tx_root)) {
        short_hex(h->tx_root.bytes, 32, x);
        short_hex(d->tx_root.bytes, 32, y);
        return fail(BLOCKERR_TX_ROOT, why, why_len, "transactions root %s, the transactions give %s", x, y);
    }
    if (!hash32_eq(&o->state_root, &h->state_root)) {
        short_hex(h->state_root.bytes, 32, x);
        short_hex(o->state_root.bytes, 32, y);
        return fail(BLOCKERR_STATE_ROOT, why, why_len, "state root %s, execution gives %s", x, y);
    }
    if (!hash32_eq(&o->receipts_root, &h->receipts_root)) {
        short_hex(h->receipts_root.bytes, 32, x);
        short_hex(o->receipts_root.bytes, 32, y);
        return fail(BLOCKERR_RECEIPTS_ROOT, why, why_len, "receipts root %s, execution gives %s", x, y);
    }
    if (memcmp(o->logs_bloom, h->logs_bloom, 256) != 0)
        return fail(BLOCKERR_LOGS_BLOOM, why, why_len, "logs bloom differs from the execution's");
    if (b->has_withdrawals && !hash32_eq(&d->withdrawals_root, &h->withdrawals_root)) {
        short_hex(h->withdrawals_root.bytes, 32, x);
        short_hex(d->withdrawals_root.bytes, 32, y);
        return fail(BLOCKERR_WITHDRAWALS_ROOT, why, why_len, "withdrawals root %s, the withdrawals give %s", x, y);
    }
    if (f >= FORK_CANCUN) {
        /* EIP-4844: the header counts exactly the blobs carried. */
        unsigned __int128 blob_gas = 0;
        for (size_t i = 0; i < b->tx_count; i++)
            if (b->txs[i].type == 3)
                blob_gas += (unsigned __int128)b->txs[i].blob_hash_count * BLOB_GAS_PER_BLOB;
        if (blob_gas > block_max_blob_gas(f))
            return fail(BLOCKERR_BLOB_GAS_USED, why, why_len,
                        "transactions carry %llu blob gas (at most %llu)", (unsigned long long)blob_gas,
                        (unsigned long long)block_max_blob_gas(f));
        if (blob_gas != h->blob_gas_used || o->blob_gas_used != h->blob_gas_used)
            return fail(BLOCKERR_BLOB_GAS_USED, why, why_len,
                        "blob gas used %llu, the transactions carry %llu (execution counted %llu)",
                        (unsigned long long)h->blob_gas_used, (unsigned long long)blob_gas,
                        (unsigned long long)o->blob_gas_used);
    }
    if (f >= FORK_PRAGUE && !hash32_eq(&o->requests_hash, &h->requests_hash)) {
        /* EIP-7685: the header commits to the block's requests. */
        short_hex(h->requests_hash.bytes, 32, x);
        short_hex(o->requests_hash.bytes, 32, y);
        return fail(BLOCKERR_REQUESTS_HASH, why, why_len, "requests hash %s, execution gives %s", x, y);
    }
    if (fork_eip(f, EIP_7928) && !hash32_eq(&o->bal_hash, &h->bal_hash)) {
        /* EIP-7928: the header commits to the block's access list. */
        short_hex(h->bal_hash.bytes, 32, x);
        short_hex(o->bal_hash.bytes, 32, y);
        return fail(BLOCKERR_BAL_HASH, why, why_len, "block access list hash %s, execution gives %s", x, y);
    }
    return BLOCKERR_NONE;
}
