/* logs — digests of a transaction's or block's logs: the "logs" hash that
 * state tests compare and the 2048-bit bloom filter of receipts. */
#ifndef PAREVM_CHAIN_LOGS_H
#define PAREVM_CHAIN_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"
#include "../state/log.h"

/* keccak(rlp([[address, [topic, ...], data], ...])) over logs[0..n): the
 * "logs" field of ethereum/tests state tests. n == 0 gives keccak(0xc0).
 * PAREVM_OK or PAREVM_ERR_NOMEM. */
int logs_hash(const struct log *logs, size_t n, hash32 *out);

/* Append the RLP list of logs[0..n) (the form hashed above and stored in
 * receipts) to out. PAREVM_OK or PAREVM_ERR_NOMEM. */
struct bytebuf;
int logs_encode(const struct log *logs, size_t n, struct bytebuf *out);

/* Yellow Paper logs bloom (section 4.3.1): bloom[0..256) is zeroed, then
 * the address and every topic of every log are added. */
void logs_bloom(const struct log *logs, size_t n, uint8_t bloom[256]);

/* logs_bloom for `count` receipts at once: blooms[r] of logs[r][0..n[r]).
 * The items none of the recent ones matched are hashed together across
 * receipts, so receipts with few new items each (an ERC-20 or EIP-7708
 * Transfer: its two addresses) fill the hash's lanes between them. */
void logs_bloom_many(const struct log *const *logs, const size_t *n, size_t count, uint8_t *const *blooms);

#endif
