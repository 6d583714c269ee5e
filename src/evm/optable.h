/* Per-fork opcode table: which opcodes exist, their static gas, and their
 * stack requirements. Built once per fork as data (no scattered checks). */
#ifndef PAREVM_EVM_OPTABLE_H
#define PAREVM_EVM_OPTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "fork.h"

struct optable {
    int16_t gas[256];      /* static gas charged before the handler runs */
    uint8_t stack_req[256]; /* items that must be on the stack */
    int8_t stack_grow[256]; /* net change of the stack height */
    bool defined[256];
    /* The fast check, derived from the arrays above by optable_seal: an
     * opcode may run without a cold-path visit when
     * (uint64_t)(height_bytes - stack_min) <= stack_span, i.e. req <=
     * height <= OPTABLE_STACK_LIMIT - grow, with the height and both
     * bounds in bytes of stack (OPTABLE_ITEM_BYTES per item), so the
     * interpreter compares a pointer difference without a shift. An
     * undefined opcode gets a range no height meets, so one branch covers
     * underflow, overflow and "undefined". 8 bytes an entry, so one
     * scaled index addresses it; every static gas and byte bound fits
     * 16 bits (the largest: CREATE's 32000 gas, (1024 + 1) * 32 bytes). */
    struct optable_check {
        uint16_t gas;
        uint16_t stack_min;
        uint16_t stack_span;
        uint16_t unused;
    } check[256];
};

#define OPTABLE_STACK_LIMIT 1024 /* equals EVM_STACK_LIMIT (checked in interpreter.c) */
#define OPTABLE_ITEM_BYTES 32    /* equals sizeof(u256) (checked in interpreter.c) */

/* Every opcode's stack shape (items it needs, net change), the same in
 * every fork that defines it: a constant table, so the interpreter's
 * handlers fold their own stack check at compile time. optable.c's def()
 * asserts its arguments agree (and tests/test_optable checks every fork). */
struct optable_shape {
    uint8_t req;
    int8_t grow;
};
static const struct optable_shape optable_shapes[256] = {
    [0x00] = {0, 0}, [0x01] = {2, -1}, [0x02] = {2, -1}, [0x03] = {2, -1}, [0x04] = {2, -1}, [0x05] = {2, -1},
    [0x06] = {2, -1}, [0x07] = {2, -1}, [0x08] = {3, -2}, [0x09] = {3, -2}, [0x0a] = {2, -1}, [0x0b] = {2, -1},
    [0x10] = {2, -1}, [0x11] = {2, -1}, [0x12] = {2, -1}, [0x13] = {2, -1}, [0x14] = {2, -1}, [0x15] = {1, 0},
    [0x16] = {2, -1}, [0x17] = {2, -1}, [0x18] = {2, -1}, [0x19] = {1, 0}, [0x1a] = {2, -1}, [0x1b] = {2, -1},
    [0x1c] = {2, -1}, [0x1d] = {2, -1}, [0x1e] = {1, 0}, [0x20] = {2, -1}, [0x30] = {0, 1}, [0x31] = {1, 0},
    [0x32] = {0, 1}, [0x33] = {0, 1}, [0x34] = {0, 1}, [0x35] = {1, 0}, [0x36] = {0, 1}, [0x37] = {3, -3},
    [0x38] = {0, 1}, [0x39] = {3, -3}, [0x3a] = {0, 1}, [0x3b] = {1, 0}, [0x3c] = {4, -4}, [0x3d] = {0, 1},
    [0x3e] = {3, -3}, [0x3f] = {1, 0}, [0x40] = {1, 0}, [0x41] = {0, 1}, [0x42] = {0, 1}, [0x43] = {0, 1},
    [0x44] = {0, 1}, [0x45] = {0, 1}, [0x46] = {0, 1}, [0x47] = {0, 1}, [0x48] = {0, 1}, [0x49] = {1, 0},
    [0x4a] = {0, 1}, [0x50] = {1, -1}, [0x51] = {1, 0}, [0x52] = {2, -2}, [0x53] = {2, -2}, [0x54] = {1, 0},
    [0x55] = {2, -2}, [0x56] = {1, -1}, [0x57] = {2, -2}, [0x58] = {0, 1}, [0x59] = {0, 1}, [0x5a] = {0, 1},
    [0x5b] = {0, 0}, [0x5c] = {1, 0}, [0x5d] = {2, -2}, [0x5e] = {3, -3}, [0x5f] = {0, 1}, [0x60] = {0, 1},
    [0x61] = {0, 1}, [0x62] = {0, 1}, [0x63] = {0, 1}, [0x64] = {0, 1}, [0x65] = {0, 1}, [0x66] = {0, 1},
    [0x67] = {0, 1}, [0x68] = {0, 1}, [0x69] = {0, 1}, [0x6a] = {0, 1}, [0x6b] = {0, 1}, [0x6c] = {0, 1},
    [0x6d] = {0, 1}, [0x6e] = {0, 1}, [0x6f] = {0, 1}, [0x70] = {0, 1}, [0x71] = {0, 1}, [0x72] = {0, 1},
    [0x73] = {0, 1}, [0x74] = {0, 1}, [0x75] = {0, 1}, [0x76] = {0, 1}, [0x77] = {0, 1}, [0x78] = {0, 1},
    [0x79] = {0, 1}, [0x7a] = {0, 1}, [0x7b] = {0, 1}, [0x7c] = {0, 1}, [0x7d] = {0, 1}, [0x7e] = {0, 1},
    [0x7f] = {0, 1}, [0x80] = {1, 1}, [0x81] = {2, 1}, [0x82] = {3, 1}, [0x83] = {4, 1}, [0x84] = {5, 1},
    [0x85] = {6, 1}, [0x86] = {7, 1}, [0x87] = {8, 1}, [0x88] = {9, 1}, [0x89] = {10, 1}, [0x8a] = {11, 1},
    [0x8b] = {12, 1}, [0x8c] = {13, 1}, [0x8d] = {14, 1}, [0x8e] = {15, 1}, [0x8f] = {16, 1}, [0x90] = {2, 0},
    [0x91] = {3, 0}, [0x92] = {4, 0}, [0x93] = {5, 0}, [0x94] = {6, 0}, [0x95] = {7, 0}, [0x96] = {8, 0},
    [0x97] = {9, 0}, [0x98] = {10, 0}, [0x99] = {11, 0}, [0x9a] = {12, 0}, [0x9b] = {13, 0}, [0x9c] = {14, 0},
    [0x9d] = {15, 0}, [0x9e] = {16, 0}, [0x9f] = {17, 0}, [0xa0] = {2, -2}, [0xa1] = {3, -3}, [0xa2] = {4, -4},
    [0xa3] = {5, -5}, [0xa4] = {6, -6}, [0xf0] = {3, -2}, [0xf1] = {7, -6}, [0xf2] = {7, -6}, [0xf3] = {2, -2},
    [0xf4] = {6, -5}, [0xf5] = {4, -3}, [0xfa] = {6, -5}, [0xfd] = {2, -2}, [0xff] = {1, -1},
};

/* Every opcode's static gas where it is the same in every fork that
 * defines it (OPTABLE_GAS_BY_FORK where a fork changed it: the EIP-150,
 * EIP-1884 and EIP-2929 repricings), so the threaded interpreter charges
 * a constant instead of loading the fork's entry. optable.c's def()
 * asserts the two agree, and tests/test_optable checks every fork. */
#define OPTABLE_GAS_BY_FORK (-1)
static const int16_t optable_static_gas[256] = {
    [0x00] = 0, [0x01] = 3, [0x02] = 5, [0x03] = 3, [0x04] = 5, [0x05] = 5, [0x06] = 5, [0x07] = 5, [0x08] = 8,
    [0x09] = 8, [0x0a] = 10, [0x0b] = 5, [0x10] = 3, [0x11] = 3, [0x12] = 3, [0x13] = 3, [0x14] = 3, [0x15] = 3,
    [0x16] = 3, [0x17] = 3, [0x18] = 3, [0x19] = 3, [0x1a] = 3, [0x1b] = 3, [0x1c] = 3, [0x1d] = 3, [0x1e] = 5,
    [0x20] = 30, [0x30] = 2, [0x31] = OPTABLE_GAS_BY_FORK, [0x32] = 2, [0x33] = 2, [0x34] = 2, [0x35] = 3,
    [0x36] = 2, [0x37] = 3, [0x38] = 2, [0x39] = 3, [0x3a] = 2, [0x3b] = OPTABLE_GAS_BY_FORK,
    [0x3c] = OPTABLE_GAS_BY_FORK, [0x3d] = 2, [0x3e] = 3, [0x3f] = OPTABLE_GAS_BY_FORK, [0x40] = 20, [0x41] = 2,
    [0x42] = 2, [0x43] = 2, [0x44] = 2, [0x45] = 2, [0x46] = 2, [0x47] = 5, [0x48] = 2, [0x49] = 3, [0x4a] = 2,
    [0x50] = 2, [0x51] = 3, [0x52] = 3, [0x53] = 3, [0x54] = OPTABLE_GAS_BY_FORK, [0x55] = 0, [0x56] = 8,
    [0x57] = 10, [0x58] = 2, [0x59] = 2, [0x5a] = 2, [0x5b] = 1, [0x5c] = 100, [0x5d] = 100, [0x5e] = 3,
    [0x5f] = 2, [0x60] = 3, [0x61] = 3, [0x62] = 3, [0x63] = 3, [0x64] = 3, [0x65] = 3, [0x66] = 3, [0x67] = 3,
    [0x68] = 3, [0x69] = 3, [0x6a] = 3, [0x6b] = 3, [0x6c] = 3, [0x6d] = 3, [0x6e] = 3, [0x6f] = 3, [0x70] = 3,
    [0x71] = 3, [0x72] = 3, [0x73] = 3, [0x74] = 3, [0x75] = 3, [0x76] = 3, [0x77] = 3, [0x78] = 3, [0x79] = 3,
    [0x7a] = 3, [0x7b] = 3, [0x7c] = 3, [0x7d] = 3, [0x7e] = 3, [0x7f] = 3, [0x80] = 3, [0x81] = 3, [0x82] = 3,
    [0x83] = 3, [0x84] = 3, [0x85] = 3, [0x86] = 3, [0x87] = 3, [0x88] = 3, [0x89] = 3, [0x8a] = 3, [0x8b] = 3,
    [0x8c] = 3, [0x8d] = 3, [0x8e] = 3, [0x8f] = 3, [0x90] = 3, [0x91] = 3, [0x92] = 3, [0x93] = 3, [0x94] = 3,
    [0x95] = 3, [0x96] = 3, [0x97] = 3, [0x98] = 3, [0x99] = 3, [0x9a] = 3, [0x9b] = 3, [0x9c] = 3, [0x9d] = 3,
    [0x9e] = 3, [0x9f] = 3, [0xa0] = 375, [0xa1] = 750, [0xa2] = 1125, [0xa3] = 1500, [0xa4] = 1875,
    [0xf0] = 32000, [0xf1] = OPTABLE_GAS_BY_FORK, [0xf2] = OPTABLE_GAS_BY_FORK, [0xf3] = 0,
    [0xf4] = OPTABLE_GAS_BY_FORK, [0xf5] = 32000, [0xfa] = OPTABLE_GAS_BY_FORK, [0xfd] = 0,
    [0xff] = OPTABLE_GAS_BY_FORK,
};

/* Recompute t->check from gas, stack_req, stack_grow and defined; call
 * after changing any of them. */
void optable_seal(struct optable *t);

/* The table for fork (built on first use, thread-safe, never freed). */
const struct optable *optable_get(enum fork fork);

#endif
