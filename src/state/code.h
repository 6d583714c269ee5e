/* code — immutable, reference-counted contract code with its hash and
 * (lazily built, thread-safe) JUMPDEST analysis. Shared between the world
 * state, journals and the interpreter; never modified after creation. */
#ifndef PAREVM_STATE_CODE_H
#define PAREVM_STATE_CODE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../base/types.h"

struct code {
    atomic_uint refs;
    /* A line of its own for the count: workers that take references must
     * not invalidate the line other workers' interpreters read len, hash,
     * the JUMPDEST map and the first code bytes from. */
    _Alignas(64) size_t len;
    hash32 hash;
    /* One bit per byte: set where a JUMPDEST opcode (not push data) sits.
     * Built on first use; published with release/acquire ordering. */
    _Atomic(uint8_t *) jumpdests;
    uint8_t bytes[]; /* len bytes, followed by 33 zero bytes of padding so
                        a PUSH32 at the end reads zeros without a check */
};

/* New code object holding a copy of bytes (refs = 1). NULL on ENOMEM. */
struct code *code_new(const uint8_t *bytes, size_t len);
/* The shared empty code object (never freed; retain/release are no-ops). */
struct code *code_empty(void);
struct code *code_retain(struct code *c);
void code_release(struct code *c);
/* JUMPDEST bitmap, built on first call (thread-safe). NULL on ENOMEM. */
const uint8_t *code_jumpdests(struct code *c);

/* EIP-7702: the delegation designator 0xef0100 || address (23 bytes)
 * an authorization writes as an account's code. */
#define CODE_DELEGATION_LEN 23
/* Whether bytes[0..len) is a delegation designator; if so and target is
 * not NULL, *target gets the address it delegates to. */
static inline bool code_delegation_target(const uint8_t *bytes, size_t len, address *target)
{
    if (len != CODE_DELEGATION_LEN || bytes[0] != 0xef || bytes[1] != 0x01 || bytes[2] != 0x00)
        return false;
    if (target)
        memcpy(target->bytes, bytes + 3, 20);
    return true;
}

static inline int code_is_jumpdest(const uint8_t *map, uint64_t pc)
{
    return (map[pc >> 3] >> (pc & 7)) & 1;
}

#endif
